// Package rolechain gives aws.Configs whose credentials assume a chain of
// roles through STS. It is apart from awscfg so that a function that
// assumes no role does not link the STS client.
package rolechain

import (
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/isb-go/isb/common/awscfg"
	"github.com/isb-go/isb/common/names"
)

// Chain returns cfg with credentials that assume each role in turn, each
// hop signed with the previous hop's credentials: the hub's hop role for
// the target first, then the role in the target account
// (awscfg.HopChain). Credentials are cached and refresh themselves, so a
// long task outlives role chaining's one-hour session cap. Nothing is called until a client first needs credentials.
func Chain(cfg aws.Config, session string, roleARNs ...string) aws.Config {
	out := cfg.Copy()
	for _, arn := range roleARNs {
		prov := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(out), arn, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = session
		})
		out = out.Copy()
		out.Credentials = aws.NewCredentialsCache(prov)
	}
	return out
}

// ChainTo is Chain through awscfg.HopChain in the "aws" partition.
func ChainTo(cfg aws.Config, session, hubAccountID, namespace, account, target string) aws.Config {
	return Chain(cfg, session, awscfg.HopChain("aws", hubAccountID, namespace, account, target)...)
}

// Hops is a client per target account, reached from the hub through the
// hop to a target role (awscfg.HopChain) and built on first use: the shape of
// every adapter whose account is named by a shared parameter read at run
// time. Nothing touches the network before a client's first call.
type Hops[T any] struct {
	cfg       aws.Config
	namespace string
	hub       string
	session   string
	target    string
	build     func(aws.Config) T

	mu      sync.Mutex
	clients map[string]T
}

// NewHops returns the clients of target (a names.*Role base) that build
// makes from the chained configuration. session names the caller in
// CloudTrail (names.Physical(namespace, session)).
func NewHops[T any](cfg aws.Config, namespace, hubAccountID, session, target string,
	build func(aws.Config) T) *Hops[T] {
	return &Hops[T]{cfg: cfg, namespace: namespace, hub: hubAccountID, session: session, target: target,
		build: build, clients: map[string]T{}}
}

// Roles is the chain to the target role in account.
func (h *Hops[T]) Roles(account string) []string {
	return awscfg.HopChain("aws", h.hub, h.namespace, account, h.target)
}

// Client returns account's client, built on the first call for it.
func (h *Hops[T]) Client(account string) T {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c, ok := h.clients[account]; ok {
		return c
	}
	c := h.build(Chain(h.cfg, names.Physical(h.namespace, h.session), h.Roles(account)...))
	h.clients[account] = c
	return c
}
