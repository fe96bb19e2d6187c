// Package layering holds no code: its test checks the import rules
// between the rule packages and the AWS SDK.
package layering
