// Package configview assembles the configuration the web UI and the CLI
// read (GET /configurations): the global settings people need to see, the
// cost report groups, and the regions the pool manages. Sign-in secrets
// and internal URLs stay out.
package configview

import (
	"context"

	"github.com/isb-go/isb/common/config"
)

// Pool gives the account pool's shared configuration.
type Pool interface {
	Get(ctx context.Context) (config.AccountPoolParam, error)
}

// Auth is the part of the sign-in settings a client needs.
type Auth struct {
	AwsAccessPortalURL string `json:"awsAccessPortalUrl"`
	WebAppURL          string `json:"webAppUrl"`
}

// View is the configuration clients read; its JSON is upstream's.
type View struct {
	TermsOfService         string         `json:"termsOfService"`
	MaintenanceMode        bool           `json:"maintenanceMode"`
	Leases                 config.Leases  `json:"leases"`
	Cleanup                config.Cleanup `json:"cleanup"`
	Auth                   Auth           `json:"auth"`
	IsbManagedRegions      []string       `json:"isbManagedRegions"`
	CostReportGroups       []string       `json:"costReportGroups"`
	RequireCostReportGroup bool           `json:"requireCostReportGroup"`
}

// Service reads the view.
type Service struct {
	cfg  config.Source
	pool Pool
}

// New returns the service.
func New(cfg config.Source, pool Pool) *Service { return &Service{cfg: cfg, pool: pool} }

// Read assembles the view from the current configuration.
func (s *Service) Read(ctx context.Context) (View, error) {
	g, err := s.cfg.Global(ctx)
	if err != nil {
		return View{}, err
	}
	rep, err := s.cfg.Reporting(ctx)
	if err != nil {
		return View{}, err
	}
	p, err := s.pool.Get(ctx)
	if err != nil {
		return View{}, err
	}
	regions, groups := p.ManagedRegions, rep.CostReportGroups
	if regions == nil {
		regions = []string{}
	}
	if groups == nil {
		groups = []string{}
	}
	return View{
		TermsOfService: g.TermsOfService, MaintenanceMode: g.MaintenanceMode,
		Leases: g.Leases, Cleanup: g.Cleanup,
		Auth:              Auth{AwsAccessPortalURL: g.Auth.AwsAccessPortalURL, WebAppURL: g.Auth.WebAppURL},
		IsbManagedRegions: regions, CostReportGroups: groups, RequireCostReportGroup: rep.RequireCostReportGroup,
	}, nil
}
