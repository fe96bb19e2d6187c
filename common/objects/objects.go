// Package objects is the S3 adapter: writing one object whole.
package objects

import (
	"bytes"
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// API is the one S3 call made.
type API interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// Store writes objects.
type Store struct{ api API }

// New returns the adapter over the client.
func New(api API) *Store { return &Store{api: api} }

// Put writes body to bucket/key with the content type.
func (s *Store) Put(ctx context.Context, bucket, key string, body []byte, contentType string) error {
	if _, err := s.api.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key),
		Body: bytes.NewReader(body), ContentType: aws.String(contentType),
	}); err != nil {
		return fmt.Errorf("write s3://%s/%s: %w", bucket, key, err)
	}
	return nil
}
