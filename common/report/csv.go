package report

import (
	"github.com/isb-go/isb/common/spend"

	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"time"
)

// currency is the unit of every amount in the report.
const currency = spend.Currency

// header is the first line of the CSV file.
var header = []string{"CostReportGroup", "StartDate", "EndDate", "Cost", "Currency"}

// renderCSV writes the header and one line per row, costs with two
// decimals.
func renderCSV(rs []Row) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(header); err != nil {
		return nil, fmt.Errorf("write CSV header: %w", err)
	}
	for _, r := range rs {
		rec := []string{r.Group, r.Start.Format(dayLayout), r.End.Format(dayLayout), formatCost(r.Cost), r.Currency}
		if err := w.Write(rec); err != nil {
			return nil, fmt.Errorf("write CSV row %s: %w", r.Group, err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("write CSV: %w", err)
	}
	return buf.Bytes(), nil
}

// formatCost rounds to cents, half away from zero ("12.35" for 12.3456).
// A tiny negative total (credits are filtered out, but a rounding residue
// may remain) prints as "0.00", never "-0.00".
func formatCost(c float64) string {
	cents := math.Round(c * 100)
	if cents == 0 {
		cents = 0 // drop the sign of -0
	}
	return fmt.Sprintf("%.2f", cents/100)
}

// objectKey is where a report is written: the report month as yyyy/MM,
// then the time of the run, so a rerun of a month adds a file next to the
// earlier ones instead of replacing it.
func objectKey(month, now time.Time) string {
	return month.Format("2006/01") + "/cost-report-" + now.UTC().Format("20060102-150405") + ".csv"
}
