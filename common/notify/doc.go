// Package notify sends the platform's email notifications: one template
// per event of names.EmailDetailTypes (subject, HTML with every value
// escaped, plain text; run by the small evaluator of tmpl.go, not
// text/template, to keep the binary small), recipients by a rules table (the lessee in
// To, the Identity Center admin and manager groups in Bcc), at most
// MaxDestinations recipients per message, and SESv2 SendEmail with a
// failing recipient isolated by bisection. Email is off while
// notification.emailFrom is empty.
//
// Each message is sent at least once and, in the normal case, exactly
// once: see Notifier for the de-duplication over the Deliveries table.
package notify
