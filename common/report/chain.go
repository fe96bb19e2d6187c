package report

import (
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/isb-go/isb/common/costs"
)

// NewChainCostExplorers returns the Cost Explorer source of the management
// account, reached through the role chain as the cost reporter.
func NewChainCostExplorers(cfg aws.Config, namespace, hubAccountID string, pool costs.PoolParam) *costs.Chain {
	return costs.NewChain(cfg, namespace, hubAccountID, "cost-reporter", pool)
}
