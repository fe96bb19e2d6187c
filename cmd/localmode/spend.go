package localmode

import (
	"context"
	"time"

	"github.com/isb-go/isb/cmd/emulator"
)

// AddSpend adds usd to what account spent today, as the management
// account's Cost Explorer (which the lease monitor reads through the role
// chain) reports it; it returns the account's total.
func AddSpend(ctx context.Context, emu *emulator.Server, account string, usd float64) (float64, error) {
	return emu.AddSpend(ctx, ManagementAccount, account, time.Now().UTC().Format("2006-01-02"), usd)
}

// SentEmails lists the mail the platform sent, oldest first.
func SentEmails(ctx context.Context, emu *emulator.Server) ([]emulator.SentEmail, error) {
	return emu.SentEmails(ctx, ManagementAccount, Region)
}
