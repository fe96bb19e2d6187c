// Package cleanup is the account cleaner: it renders the aws-nuke
// configuration for one sandbox account, runs aws-nuke in passes until
// enough consecutive passes are clean or too many fail, defines the Step
// Functions state machine that drives a cleanup, and watches for cleanups
// that ended without saying so.
//
// The pieces and where they run:
//
//   - Render (render.go): the nuke template with its placeholders filled,
//     the platform's accounts blocklisted and the account's enabled regions.
//   - Loop and Run (passes.go): the pure pass loop, with an injected clock
//     and pass runner.
//   - Cleaner (cleaner.go): one cleanup of one account, as the isb-cleaner
//     program runs it inside CodeBuild (or the local runner runs it here).
//   - Definition (definition.go): the state machine, one Go source for the
//     CDK stack and the emulator tests.
//   - Watchdog (watchdog.go): turns a cleanup execution that failed, timed
//     out or was aborted without reporting into AccountCleanupFailed.
package cleanup
