package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// SentEmail is a message SES or SESv2 accepted, as the emulator recorded it.
type SentEmail struct {
	// Kind is moto's record type: Message (simple content), RawMessage or
	// TemplateMessage.
	Kind   string `json:"kind"`
	ID     string `json:"id"`
	Source string `json:"source"`
	// Destinations holds ToAddresses/CcAddresses/BccAddresses for simple
	// and templated messages; it is empty for raw ones (see RawDestinations).
	Destinations map[string][]string `json:"-"`
	// RawDestinations lists the recipients of a raw message.
	RawDestinations []string `json:"-"`
	Subject         string   `json:"subject"`
	// Body is the HTML part when there is one, else the text part.
	Body         string `json:"body"`
	Template     string `json:"template"`
	TemplateData string `json:"templateData"`
	RawData      string `json:"rawData"`
}

// UnmarshalJSON accepts both shapes of "destinations" the emulator returns.
func (e *SentEmail) UnmarshalJSON(data []byte) error {
	type plain SentEmail
	var wire struct {
		plain
		Destinations json.RawMessage `json:"destinations"`
	}
	if err := json.Unmarshal(data, &wire); err != nil {
		return err
	}
	*e = SentEmail(wire.plain)
	d := strings.TrimSpace(string(wire.Destinations))
	switch {
	case d == "" || d == "null":
	case strings.HasPrefix(d, "["):
		return json.Unmarshal(wire.Destinations, &e.RawDestinations)
	default:
		return json.Unmarshal(wire.Destinations, &e.Destinations)
	}
	return nil
}

// SentEmails lists what SES and SESv2 sent from account in region, oldest
// first, through the launcher's /_local/ses/sent endpoint.
func (s *Server) SentEmails(ctx context.Context, account, region string) ([]SentEmail, error) {
	q := url.Values{"account": {account}, "region": {region}}
	var buf strings.Builder
	if err := s.get(ctx, "/_local/ses/sent?"+q.Encode(), &buf); err != nil {
		return nil, fmt.Errorf("emulator: sent emails: %w", err)
	}
	var out struct {
		Messages []SentEmail `json:"messages"`
	}
	if err := json.Unmarshal([]byte(buf.String()), &out); err != nil {
		return nil, fmt.Errorf("emulator: decode sent emails: %w", err)
	}
	return out.Messages, nil
}

// CostAndUsage is one answer of Cost Explorer's GetCostAndUsage, in the
// API's JSON shape, for QueueCostAndUsage.
type CostAndUsage struct {
	ResultsByTime            []CostResultByTime `json:"ResultsByTime"`
	DimensionValueAttributes []any              `json:"DimensionValueAttributes"`
	// NextPageToken, when set, makes the caller ask for another page
	// (whose request differs, so it takes the next queued answer).
	NextPageToken string `json:"NextPageToken,omitempty"`
}

// CostResultByTime is one time period of a CostAndUsage.
type CostResultByTime struct {
	TimePeriod CostPeriod            `json:"TimePeriod"`
	Total      map[string]CostAmount `json:"Total"`
	Groups     []CostGroup           `json:"Groups"`
	Estimated  bool                  `json:"Estimated"`
}

// CostPeriod is a period of days, yyyy-mm-dd, End exclusive.
type CostPeriod struct {
	Start string `json:"Start"`
	End   string `json:"End"`
}

// CostGroup is the metrics of one group (for example one linked account).
type CostGroup struct {
	Keys    []string              `json:"Keys"`
	Metrics map[string]CostAmount `json:"Metrics"`
}

// CostAmount is an amount as Cost Explorer writes it (a decimal string).
type CostAmount struct {
	Amount string `json:"Amount"`
	Unit   string `json:"Unit"`
}

// QueueCostAndUsage appends answers to the emulator's GetCostAndUsage
// queue of callerAccount, the account that calls Cost Explorer (with the
// role chain, the account of the last role). moto hands them out in order,
// one per distinct request body, and repeats an answer for a repeated body;
// once the queue is empty a new body gets an empty answer.
func (s *Server) QueueCostAndUsage(ctx context.Context, callerAccount string, results ...CostAndUsage) error {
	for i := range results {
		if results[i].DimensionValueAttributes == nil {
			results[i].DimensionValueAttributes = []any{}
		}
	}
	return s.PostJSON(ctx, "/moto-api/static/ce/cost-and-usage-results",
		map[string]any{"account_id": callerAccount, "results": results})
}

// AddSpend adds usd to what linkedAccount spent on day (yyyy-mm-dd), as
// callerAccount's Cost Explorer reports it. Once any spend was added for
// callerAccount, its GetCostAndUsage answers from these amounts instead of
// the static queue (QueueCostAndUsage); it returns the linked account's
// total.
func (s *Server) AddSpend(ctx context.Context, callerAccount, linkedAccount, day string, usd float64) (float64, error) {
	body, err := json.Marshal(map[string]any{"account": callerAccount, "linkedAccount": linkedAccount, "day": day, "amount": usd})
	if err != nil {
		return 0, fmt.Errorf("emulator: encode spend: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/_local/ce/spend", bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("emulator: add spend: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	var buf bytes.Buffer
	if err := s.do(req, &buf); err != nil {
		return 0, fmt.Errorf("emulator: add spend: %w", err)
	}
	var out struct {
		Total float64 `json:"total"`
	}
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
		return 0, fmt.Errorf("emulator: decode spend answer: %w", err)
	}
	return out.Total, nil
}
