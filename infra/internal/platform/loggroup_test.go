package platform

import (
	"testing"

	"github.com/isb-go/isb/infra/internal/config"
)

func TestEveryAcceptedRetentionMaps(t *testing.T) {
	for _, d := range config.LogRetentionValues {
		if _, ok := retentions[d]; !ok {
			t.Errorf("config accepts %d days but platform cannot map it", d)
		}
	}
	if len(retentions) != len(config.LogRetentionValues) {
		t.Errorf("platform maps %d values, config accepts %d", len(retentions), len(config.LogRetentionValues))
	}
}
