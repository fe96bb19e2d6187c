// Package catalog holds the lease template rules the API applies: who may
// see a template, who may change one, and that every template meets the
// global limits and cost report groups when it is written. The creator is
// always the caller, never a value the client sends.
package catalog

import (
	"context"
	"log/slog"
	"time"

	"github.com/isb-go/isb/common/auth"
	"github.com/isb-go/isb/common/config"
	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/lease"
	"github.com/isb-go/isb/common/page"
	"github.com/isb-go/isb/common/template"
)

// Templates is the template store.
type Templates interface {
	Create(ctx context.Context, t template.Template) (template.Template, error)
	Get(ctx context.Context, id string) (template.Template, error)
	Save(ctx context.Context, read, next template.Template) (template.Template, error)
	Delete(ctx context.Context, read template.Template) error
	List(ctx context.Context, privileged bool, p page.Page) ([]template.Template, string, error)
}

// Draft is what a manager writes: a template without its identity,
// creator and version.
type Draft struct {
	Name             string
	Description      string
	RequiresApproval bool
	Visibility       template.Visibility
	Terms            lease.Terms
	Heartbeat        lease.Heartbeat
	// Version, when not zero on an update, must be the stored version: a
	// client that read version 3 cannot overwrite version 4.
	Version int64
}

// Service applies the template rules.
type Service struct {
	templates Templates
	cfg       config.Source
	now       func() time.Time
	newID     func() string
}

// New returns the service.
func New(templates Templates, cfg config.Source, now func() time.Time, newID func() string) *Service {
	return &Service{templates: templates, cfg: cfg, now: now, newID: newID}
}

// Create stores a new template created by the caller (managers and admins).
func (s *Service) Create(ctx context.Context, caller auth.Caller, d Draft) (template.Template, error) {
	if err := managerOnly(caller); err != nil {
		return template.Template{}, err
	}
	t := template.Template{UUID: s.newID(), CreatedBy: caller.Email, CreatedAt: s.now()}
	t = apply(t, d)
	if err := s.validate(ctx, t); err != nil {
		return template.Template{}, err
	}
	created, err := s.templates.Create(ctx, t)
	if err != nil {
		return template.Template{}, err
	}
	slog.InfoContext(ctx, "lease template created", "template", created.UUID, "by", caller.Email)
	return created, nil
}

// List returns one page of the templates the caller may see.
func (s *Service) List(ctx context.Context, caller auth.Caller, p page.Page) ([]template.Template, string, error) {
	return s.templates.List(ctx, caller.Privileged(), p)
}

// Get reads one template; a private one does not exist for a user.
func (s *Service) Get(ctx context.Context, caller auth.Caller, id string) (template.Template, error) {
	t, err := s.templates.Get(ctx, id)
	if err != nil {
		return template.Template{}, err
	}
	if !t.VisibleTo(caller.Privileged()) {
		return template.Template{}, &fault.NotFoundError{Entity: "lease template", Key: id}
	}
	return t, nil
}

// Update replaces a template's content (managers and admins). Its id and
// creator stay.
func (s *Service) Update(ctx context.Context, caller auth.Caller, id string, d Draft) (template.Template, error) {
	if err := managerOnly(caller); err != nil {
		return template.Template{}, err
	}
	read, err := s.templates.Get(ctx, id)
	if err != nil {
		return template.Template{}, err
	}
	if d.Version != 0 && d.Version != read.Version {
		return template.Template{}, &fault.ConflictError{Entity: "lease template", Key: id,
			Reason: "it changed since it was read; read it again"}
	}
	next := apply(read, d)
	if err := s.validate(ctx, next); err != nil {
		return template.Template{}, err
	}
	saved, err := s.templates.Save(ctx, read, next)
	if err != nil {
		return template.Template{}, err
	}
	slog.InfoContext(ctx, "lease template updated", "template", id, "by", caller.Email)
	return saved, nil
}

// Delete removes a template (managers and admins). Leases keep the terms
// they copied, so deleting a template never changes a lease.
func (s *Service) Delete(ctx context.Context, caller auth.Caller, id string) error {
	if err := managerOnly(caller); err != nil {
		return err
	}
	read, err := s.templates.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := s.templates.Delete(ctx, read); err != nil {
		return err
	}
	slog.InfoContext(ctx, "lease template deleted", "template", id, "by", caller.Email)
	return nil
}

func (s *Service) validate(ctx context.Context, t template.Template) error {
	g, err := s.cfg.Global(ctx)
	if err != nil {
		return err
	}
	rep, err := s.cfg.Reporting(ctx)
	if err != nil {
		return err
	}
	return t.Validate(g, rep)
}

func apply(t template.Template, d Draft) template.Template {
	t.Name, t.Description, t.RequiresApproval = d.Name, d.Description, d.RequiresApproval
	t.Visibility, t.Terms, t.Heartbeat = d.Visibility, d.Terms, d.Heartbeat
	if t.Visibility == "" {
		t.Visibility = template.Public
	}
	return t
}

func managerOnly(caller auth.Caller) error {
	if caller.Privileged() {
		return nil
	}
	return &fault.ForbiddenError{Reason: "only managers and admins may change lease templates"}
}
