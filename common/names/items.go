package names

// Attributes of the account item that the cleanup state machine reads and
// writes itself (common/cleanup builds its definition from these). The
// item is declared in common/ddbstore, whose tests hold its attribute
// names to these.
const (
	AttrCleanupContext     = "cleanupExecutionContext"
	AttrExecutionArn       = "stateMachineExecutionArn"
	AttrExecutionStartTime = "stateMachineExecutionStartTime"
	// AttrCleanupOutcome is set once the cleaner has reported the run.
	AttrCleanupOutcome  = "outcome"
	AttrCleanupFailures = "cleanupFailures"
	AttrLastModified    = "lastModifiedDate"
)
