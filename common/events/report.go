package events

import (
	"time"

	"github.com/isb-go/isb/common/fault"
)

// ReportMonthLayout is the time layout of a report month, "yyyy-MM".
const ReportMonthLayout = "2006-01"

func checkReportMonth(f *fault.Fields, field, v string) {
	if v == "" {
		f.Add(field, "is required")
		return
	}
	if _, err := time.Parse(ReportMonthLayout, v); err != nil || len(v) != len(ReportMonthLayout) {
		f.Add(field, "must be a month as yyyy-MM")
	}
}

// GroupCostReportGenerated: the monthly cost report per cost report group
// was written to S3.
type GroupCostReportGenerated struct {
	// ReportMonth is the month reported on, as yyyy-MM.
	ReportMonth string    `json:"reportMonth"`
	FileName    string    `json:"fileName"`
	BucketName  string    `json:"bucketName"`
	Timestamp   time.Time `json:"timestamp"`
}

// Validate checks the required fields.
func (e GroupCostReportGenerated) Validate() error {
	var f fault.Fields
	checkReportMonth(&f, "reportMonth", e.ReportMonth)
	checkRequired(&f, "fileName", e.FileName)
	checkRequired(&f, "bucketName", e.BucketName)
	checkTime(&f, "timestamp", e.Timestamp)
	return f.Err()
}

// GroupCostReportGeneratedFailure: the monthly cost report could not be
// produced; LogName points at the logs of the failed run.
type GroupCostReportGeneratedFailure struct {
	ReportMonth string    `json:"reportMonth"`
	Timestamp   time.Time `json:"timestamp"`
	LogName     string    `json:"logName"`
}

// Validate checks the required fields.
func (e GroupCostReportGeneratedFailure) Validate() error {
	var f fault.Fields
	checkReportMonth(&f, "reportMonth", e.ReportMonth)
	checkTime(&f, "timestamp", e.Timestamp)
	checkRequired(&f, "logName", e.LogName)
	return f.Err()
}
