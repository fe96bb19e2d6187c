package bench

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/google/uuid"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/page"
	"github.com/isb-go/isb/test/emulator"
)

// Contention: how many simultaneous requests meet how many free accounts.
const (
	contendingRequests = 200
	contendedAccounts  = 50
)

// BenchmarkConcurrentGrants sends 200 lease requests at once (templates
// that need no approval: the lease is created in the grant's transaction)
// at a pool of 50 accounts, and reports how many transactions each grant
// took: median, p99 and max over every grant of every iteration. With
// conflicts>0 the emulator answers that share of the transactions with
// DynamoDB's TransactionConflict, which moto never produces itself.
func BenchmarkConcurrentGrants(b *testing.B) {
	for _, rate := range []float64{0, 0.2} {
		b.Run(fmt.Sprintf("conflicts=%g", rate), func(b *testing.B) {
			var perGrant []int
			emptyTx, empty, injected, transactions := 0, 0, 0, 0
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				s, _ := seed(b, contendedAccounts)
				f := &emulator.Faults{TransactionConflictRate: rate}
				// moto serves one request at a time, so a storm that takes
				// DynamoDB well under a second takes seconds here: the
				// retry budget is stretched to match, the backoff is not.
				faulty := ddbstore.New(dynamodb.NewFromConfig(f.Wrap(emulator.ConfigNoReset(b))), s.Tables(), nil).
					WithBackoff(ddbstore.Backoff{Base: ddbstore.DefaultBackoff.Base, Max: ddbstore.DefaultBackoff.Max,
						Budget: 2 * time.Minute})
				now := t0.Add(24 * time.Hour)
				var mu sync.WaitGroup
				var lock sync.Mutex
				start := make(chan struct{})
				for r := 0; r < contendingRequests; r++ {
					mu.Add(1)
					go func() {
						defer mu.Done()
						<-start
						l := lease.Lease{
							Key: lease.Key{
								UserEmail: fmt.Sprintf("user-%03d@example.com", r),
								UUID:      uuid.NewString(),
							},
							Status:    lease.PendingApproval,
							CreatedAt: now,
						}
						g, err := faulty.Grant(
							context.Background(),
							account.GrantRequest{Lease: l, ApprovedBy: lease.AutoApproved,
								Now: now, Cooldown: time.Hour, New: true, MaxPerUser: 3},
						)
						lock.Lock()
						defer lock.Unlock()
						switch {
						case err == nil:
							perGrant = append(perGrant, g.Attempts)
						case errors.Is(err, fault.PoolEmpty):
							empty++
							emptyTx += g.Attempts
						default:
							b.Errorf("request %d: %v", r, err)
						}
					}()
				}
				b.StartTimer()
				close(start)
				mu.Wait()
				b.StopTimer()
				checkPool(b, s)
				injected += f.Injected("TransactWriteItems")
				transactions += f.Calls("TransactWriteItems")
			}
			if len(perGrant) != b.N*contendedAccounts {
				b.Fatalf("%d grants in %d rounds, want %d each", len(perGrant), b.N, contendedAccounts)
			}
			slices.Sort(perGrant)
			median := perGrant[len(perGrant)/2]
			p99 := perGrant[(len(perGrant)*99+99)/100-1]
			max := perGrant[len(perGrant)-1]
			b.ReportMetric(float64(median), "tx/grant-median")
			b.ReportMetric(float64(p99), "tx/grant-p99")
			b.ReportMetric(float64(max), "tx/grant-max")
			b.ReportMetric(float64(emptyTx)/float64(max1(empty)), "tx/empty-pool-answer")
			fmt.Printf(
				"%d requests on %d accounts, conflicts %g: transactions per grant median %d, p99 %d, max %d over %d grants; "+
					"%d empty-pool answers took %.2f transactions each on average; %d of %d transactions answered with a conflict\n",
				contendingRequests,
				contendedAccounts,
				rate,
				median,
				p99,
				max,
				len(perGrant),
				empty,
				float64(emptyTx)/float64(max1(empty)),
				injected,
				transactions,
			)
		})
	}
}

func max1(n int) int { return max(n, 1) }

// checkPool fails when the storm left an account Available or granted one
// twice.
func checkPool(b *testing.B, s *ddbstore.Store) {
	b.Helper()
	ctx := context.Background()
	avail, _, err := s.Accounts().
		ListByStatus(ctx, page.StatusQuery{Status: string(account.Available)}, page.Page{Size: 100})
	if err != nil || len(avail) != 0 {
		b.Fatalf("%d accounts still Available after the storm (%v)", len(avail), err)
	}
	active, _, err := s.Leases().
		ListByStatus(ctx, page.StatusQuery{Status: string(lease.Active)}, page.Page{Size: 500})
	if err != nil || len(active) != contendedAccounts {
		b.Fatalf("%d active leases, want %d (%v)", len(active), contendedAccounts, err)
	}
	holders := map[string]bool{}
	for _, l := range active {
		if holders[l.AccountID] {
			b.Fatalf("account %s granted twice", l.AccountID)
		}
		holders[l.AccountID] = true
	}
}
