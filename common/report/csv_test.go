package report

import (
	"testing"
)

func TestRenderCSV(t *testing.T) {
	month, end := day("2026-10-01"), day("2026-10-31")
	for _, tc := range []struct {
		name string
		rows []Row
		want string
	}{
		{name: "a report without leases is the header alone",
			want: "CostReportGroup,StartDate,EndDate,Cost,Currency\n"},
		{name: "each group is one line with the month's first and last days",
			rows: []Row{{Group: "alpha", Start: month, End: end, Cost: 21, Currency: "USD"}},
			want: "CostReportGroup,StartDate,EndDate,Cost,Currency\nalpha,2026-10-01,2026-10-31,21.00,USD\n"},
		{name: "a group name with a comma is quoted",
			rows: []Row{{Group: "R&D, EMEA", Start: month, End: end, Cost: 1, Currency: "USD"}},
			want: "CostReportGroup,StartDate,EndDate,Cost,Currency\n\"R&D, EMEA\",2026-10-01,2026-10-31,1.00,USD\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := renderCSV(tc.rows)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Fatalf("CSV =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestFormatCost(t *testing.T) {
	for _, tc := range []struct {
		name string
		cost float64
		want string
	}{
		{name: "a whole amount gets two decimals", cost: 12, want: "12.00"},
		{name: "an amount is rounded up from half a cent", cost: 12.3456, want: "12.35"},
		{name: "an amount is rounded down below half a cent", cost: 12.3449, want: "12.34"},
		{name: "a sum of many small amounts is rounded once", cost: 0.1 + 0.2, want: "0.30"},
		{name: "a tiny negative residue prints as zero without a sign", cost: -0.001, want: "0.00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := formatCost(tc.cost); got != tc.want {
				t.Fatalf("formatCost(%v) = %s; want %s", tc.cost, got, tc.want)
			}
		})
	}
}

func TestObjectKey(t *testing.T) {
	for _, tc := range []struct {
		name       string
		month, now string
		want       string
	}{
		{name: "the key is the report month's folder and the time of the run",
			month: "2026-10-01T00:00:00Z", now: "2026-11-02T01:25:07Z", want: "2026/10/cost-report-20261102-012507.csv"},
		{name: "the time of the run is written in UTC",
			month: "2026-12-01T00:00:00Z", now: "2027-01-02T03:04:05+02:00", want: "2026/12/cost-report-20270102-010405.csv"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := objectKey(at(tc.month), at(tc.now)); got != tc.want {
				t.Fatalf("objectKey = %s; want %s", got, tc.want)
			}
		})
	}
}
