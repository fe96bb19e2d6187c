// Package bench measures the stores against the moto emulator. Run it with
// `make bench`; it prints one line per pool size.
package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/uuid"

	"github.com/isb-go/isb/common/account"
	"github.com/isb-go/isb/common/ddbstore"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/page"
	"github.com/isb-go/isb/test/emulator"
)

func TestMain(m *testing.M) { emulator.Main(m) }

var poolSizes = []int{10, 100, 1000, 10000}

var t0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// seed resets the emulator and fills the account table with n Available
// accounts.
func seed(b *testing.B, n int) (*ddbstore.Store, *dynamodb.Client) {
	b.Helper()
	ctx := context.Background()
	db := dynamodb.NewFromConfig(emulator.Config(b))
	tables := ddbstore.TablesFor("bench")
	if err := ddbstore.CreateTables(ctx, db, tables); err != nil {
		b.Fatal(err)
	}
	codec, err := ddbstore.NewPageCodec([]byte("bench-page-token-secret"))
	if err != nil {
		b.Fatal(err)
	}
	s := ddbstore.New(db, tables, codec)
	pool := make([]account.Account, n)
	for i := range pool {
		pool[i] = account.Account{ID: fmt.Sprintf("%012d", 200000000000+i), Status: account.Available,
			StatusChangedAt: t0.Add(time.Duration(i) * time.Second), CreatedAt: t0}
	}
	if err := s.Accounts().Import(ctx, pool); err != nil {
		b.Fatal(err)
	}
	return s, db
}

// BenchmarkGrant measures one atomic grant (status-index query plus one
// TransactWriteItems) with the pool held at a constant size: after each
// grant, untimed, the account is cleaned back to Available.
func BenchmarkGrant(b *testing.B) {
	for _, n := range poolSizes {
		b.Run(fmt.Sprintf("pool=%d", n), func(b *testing.B) {
			ctx := context.Background()
			s, _ := seed(b, n)
			now := t0.Add(24 * time.Hour)
			candidates, attempts := 0, 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				l, err := s.Leases().Create(ctx, lease.Lease{
					Key: lease.Key{
						UserEmail: "bench@example.com",
						UUID:      uuid.NewString(),
					}, Status: lease.PendingApproval,
				}, 0)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				g, err := s.Grant(
					ctx,
					account.GrantRequest{Lease: l, ApprovedBy: lease.AutoApproved, Now: now, Cooldown: time.Hour},
				)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				candidates += g.CandidatesRead
				attempts += g.Attempts
				recycle(b, s, g.Account, now)
				b.StartTimer()
			}
			b.ReportMetric(float64(candidates)/float64(b.N), "items-read/grant")
			b.ReportMetric(float64(attempts)/float64(b.N), "transactions/grant")
		})
	}
}

// recycle returns a granted account to the pool: Active → CleanUp → Available.
func recycle(b *testing.B, s *ddbstore.Store, a account.Account, now time.Time) {
	ctx := context.Background()
	for _, to := range []account.Status{account.CleanUp, account.Available} {
		next, err := a.Move(to, now)
		if err != nil {
			b.Fatal(err)
		}
		if a, err = s.Accounts().Save(ctx, a, next); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpstreamScanPick measures what upstream does to find a free
// account: scan the whole account table for status Available, every page,
// before picking one. It writes nothing; it is here for comparison.
func BenchmarkUpstreamScanPick(b *testing.B) {
	for _, n := range poolSizes {
		b.Run(fmt.Sprintf("pool=%d", n), func(b *testing.B) {
			ctx := context.Background()
			s, db := seed(b, n)
			read := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{
					TableName:                aws.String(s.Tables().Accounts),
					FilterExpression:         aws.String("#s = :s"),
					ExpressionAttributeNames: map[string]string{"#s": names.AttrStatus},
					ExpressionAttributeValues: map[string]types.AttributeValue{
						":s": &types.AttributeValueMemberS{Value: string(account.Available)},
					},
				})
				found := 0
				for p.HasMorePages() {
					out, err := p.NextPage(ctx)
					if err != nil {
						b.Fatal(err)
					}
					read += int(out.ScannedCount)
					found += len(out.Items)
				}
				if found != n {
					b.Fatalf("scan found %d of %d", found, n)
				}
			}
			b.ReportMetric(float64(read)/float64(b.N), "items-read/grant")
		})
	}
}

// BenchmarkIndexFloor measures one bare status-index query of ten items,
// the read every grant starts with. moto emulates a GSI query by walking
// and sorting the whole partition, so this floor grows with the pool on
// the emulator (DynamoDB serves it from the index in O(log n + page));
// Grant minus this floor is the grant's own cost.
func BenchmarkIndexFloor(b *testing.B) {
	for _, n := range poolSizes {
		b.Run(fmt.Sprintf("pool=%d", n), func(b *testing.B) {
			ctx := context.Background()
			s, _ := seed(b, n)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				got, _, err := s.Accounts().
					ListByStatus(ctx, page.StatusQuery{Status: string(account.Available)}, page.Page{Size: 10})
				if err != nil || len(got) != 10 {
					b.Fatalf("index query: %d items, %v", len(got), err)
				}
			}
		})
	}
}
