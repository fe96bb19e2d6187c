package ddbstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestBackoffBoundsDoubleUpToTheCap(t *testing.T) {
	b := Backoff{Base: 10 * time.Millisecond, Max: 100 * time.Millisecond}
	want := []time.Duration{10, 20, 40, 80, 100, 100, 100}
	for n, w := range want {
		if got := b.bound(n); got != w*time.Millisecond {
			t.Errorf("bound(%d) = %v, want %v", n, got, w*time.Millisecond)
		}
	}
	if got := b.bound(1000); got != b.Max {
		t.Errorf("bound(1000) = %v, want the cap", got)
	}
}

func TestRetriesStopWithinTheBudget(t *testing.T) {
	tests := []struct {
		name    string
		backoff Backoff
		ctx     func() (context.Context, context.CancelFunc)
		wantAny bool // whether at least one retry is allowed
	}{
		{"a call retries while its budget lasts", Backoff{Base: time.Millisecond, Max: 2 * time.Millisecond, Budget: 30 * time.Millisecond},
			func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }, true},
		{"a deadline closer than the reserve allows no retry", Backoff{Base: time.Millisecond, Max: 2 * time.Millisecond, Budget: time.Minute, Reserve: 2 * time.Second},
			func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), time.Second)
			}, false},
		{"a cancelled context allows no retry", Backoff{Base: 50 * time.Millisecond, Max: 50 * time.Millisecond, Budget: time.Minute},
			func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx, cancel
			}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := tt.ctx()
			defer cancel()
			r := (&Store{backoff: tt.backoff}).retrier(ctx)
			n := 0
			for r.wait(ctx) {
				n++
				if n > 10000 {
					t.Fatal("the retries never stopped")
				}
			}
			if (n > 0) != tt.wantAny {
				t.Fatalf("%d retries", n)
			}
		})
	}
}

func TestOnlyATransactionConflictIsRetried(t *testing.T) {
	cancelled := func(codes ...string) error {
		e := &types.TransactionCanceledException{}
		for _, c := range codes {
			e.CancellationReasons = append(e.CancellationReasons, types.CancellationReason{Code: aws.String(c)})
		}
		return e
	}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"a conflict on one item is retried", cancelled("None", "TransactionConflict"), true},
		{"a failed condition is not", cancelled("ConditionalCheckFailed", "TransactionConflict"), false},
		{"a cancellation without a conflict is not", cancelled("None", "ValidationError"), false},
		{"a single write held by a transaction is retried", &types.TransactionConflictException{}, true},
		{"another error is not", errors.New("boom"), false},
		{"success is not", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := conflicted(tt.err); got != tt.want {
				t.Fatalf("conflicted = %v", got)
			}
		})
	}
}
