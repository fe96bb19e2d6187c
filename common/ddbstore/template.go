package ddbstore

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/common/page"
	"github.com/isb-go/isb/common/template"
)

// TemplateStore reads and writes lease templates.
type TemplateStore struct{ s *Store }

// Templates returns the lease template store.
func (s *Store) Templates() TemplateStore { return TemplateStore{s} }

func templateKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{names.AttrUUID: str(id)}
}

// Create stores a new template at version 1.
func (ts TemplateStore) Create(ctx context.Context, t template.Template) (template.Template, error) {
	var unused time.Time
	stampNew(&t.Version, &t.CreatedAt, &t.UpdatedAt, &unused)
	item, err := templateToItem(t)
	if err != nil {
		return t, err
	}
	_, err = ts.s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(ts.s.tables.Templates), Item: item,
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": names.AttrUUID},
	})
	if ok, _ := conditionFailed(err); ok {
		return t, &fault.ConflictError{Entity: "lease template", Key: t.UUID, Reason: "it already exists"}
	}
	if err != nil {
		return t, fmt.Errorf("create lease template %s: %w", t.UUID, err)
	}
	return t, nil
}

// Get reads one template.
func (ts TemplateStore) Get(ctx context.Context, id string) (template.Template, error) {
	return getOne(ctx, ts.s, ts.s.tables.Templates, templateKey(id), "lease template", id, templateFromItem)
}

// Save writes next over read, on condition that the stored template is
// still at read's version.
func (ts TemplateStore) Save(ctx context.Context, read, next template.Template) (template.Template, error) {
	if read.UUID != next.UUID || read.Version != next.Version {
		return next, fmt.Errorf("save lease template %s: next must be the read template changed (uuid and version)", read.UUID)
	}
	next.Version = read.Version + 1
	next.UpdatedAt = time.Now()
	item, err := templateToItem(next)
	if err != nil {
		return next, err
	}
	c := versionCondition(read.Version, "")
	_, err = ts.s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(ts.s.tables.Templates), Item: item,
		ConditionExpression: c.expr, ExpressionAttributeNames: c.names, ExpressionAttributeValues: c.values,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if ok, current := conditionFailed(err); ok {
		return next, writeConflict("lease template", read.UUID, current, read.Version)
	}
	if err != nil {
		return next, fmt.Errorf("save lease template %s: %w", read.UUID, err)
	}
	return next, nil
}

// Delete removes a template, on condition that it is at the version read.
func (ts TemplateStore) Delete(ctx context.Context, read template.Template) error {
	c := versionCondition(read.Version, "")
	_, err := ts.s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(ts.s.tables.Templates), Key: templateKey(read.UUID),
		ConditionExpression: c.expr, ExpressionAttributeNames: c.names, ExpressionAttributeValues: c.values,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if ok, current := conditionFailed(err); ok {
		return writeConflict("lease template", read.UUID, current, read.Version)
	}
	if err != nil {
		return fmt.Errorf("delete lease template %s: %w", read.UUID, err)
	}
	return nil
}

// List returns one page of the templates a caller may see. Private
// templates are filtered out before the page is cut, so a user's pages are
// as full as a manager's.
func (ts TemplateStore) List(ctx context.Context, privileged bool, p page.Page) ([]template.Template, string, error) {
	keep := func(it map[string]types.AttributeValue) bool {
		if privileged {
			return true
		}
		v, _ := it["visibility"].(*types.AttributeValueMemberS)
		return v != nil && v.Value == string(template.Public)
	}
	scope := "templates/public"
	if privileged {
		scope = "templates/all"
	}
	items, next, err := ts.s.listPage(ctx, scope, p,
		ts.s.scanFiltered(ctx, ts.s.tables.Templates, []string{names.AttrUUID}, keep))
	if err != nil {
		return nil, "", fmt.Errorf("list lease templates: %w", err)
	}
	out, err := decodeEach(items, templateFromItem)
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}
