package auth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/isb-go/isb/common/auth"
)

// rendezvous answers GetSecretValue only once every expected call is in
// flight, so a source that reads the versions one after another never
// gets its first answer.
type rendezvous struct {
	want int
	docs map[string]string // by version stage

	mu      sync.Mutex
	arrived int
	all     chan struct{}
}

func (r *rendezvous) GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput,
	_ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	r.mu.Lock()
	if r.arrived++; r.arrived == r.want {
		close(r.all)
	}
	r.mu.Unlock()
	select {
	case <-r.all:
		return &secretsmanager.GetSecretValueOutput{
			SecretString: aws.String(r.docs[aws.ToString(in.VersionStage)]),
		}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func publishedKey(t *testing.T, id string) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := auth.EncodePublicKey(id, der, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestSecretKeysReadTheCurrentAndPreviousVersionsAtOnce(t *testing.T) {
	client := &rendezvous{want: 2, all: make(chan struct{}),
		docs: map[string]string{"AWSCURRENT": publishedKey(t, "new"), "AWSPREVIOUS": publishedKey(t, "old")}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	set, err := auth.NewSecretKeys(client, "keys", 0, nil).Keys(ctx)
	if err != nil {
		t.Fatalf("Keys: %v (were the versions read one after another?)", err)
	}
	if set.Current.ID != "new" || set.Previous.ID != "old" {
		t.Errorf("current %q, previous %q; want new, old", set.Current.ID, set.Previous.ID)
	}
}
