package awsauth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Presign signs a GetCallerIdentity request for deployment with the
// client's credentials: what a CI job sends to POST /auth/aws. The
// deployment header is added before signing, so it is among the signed
// headers. optFns may set another Presigner (HeaderPresigner).
func Presign(ctx context.Context, client *sts.Client, deployment string,
	optFns ...func(*sts.PresignOptions)) (Request, error) {
	withHeader := func(o *sts.PresignOptions) {
		o.ClientOptions = append(o.ClientOptions, func(o *sts.Options) {
			o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue(DeploymentHeader, deployment))
		})
	}
	out, err := sts.NewPresignClient(client).PresignGetCallerIdentity(ctx, &sts.GetCallerIdentityInput{},
		append([]func(*sts.PresignOptions){withHeader}, optFns...)...)
	if err != nil {
		return Request{}, fmt.Errorf("presign GetCallerIdentity: %w", err)
	}
	return Request{Method: out.Method, URL: out.URL, Headers: out.SignedHeader}, nil
}

// emptyHash is the SHA-256 of an empty body (the presigned request is a
// GET without one).
var emptyHash = func() string { h := sha256.Sum256(nil); return hex.EncodeToString(h[:]) }()

// HeaderPresigner signs in the Authorization header instead of the query,
// as Vault's AWS auth client does. STS accepts both; the local emulator
// identifies the caller only by a header signature. At, when set, fixes
// the signing time.
type HeaderPresigner struct {
	At time.Time
}

// PresignHTTP implements sts.HTTPPresignerV4.
func (h HeaderPresigner) PresignHTTP(ctx context.Context, creds aws.Credentials, r *http.Request, _ string,
	service, region string, signingTime time.Time, optFns ...func(*v4.SignerOptions)) (string, http.Header, error) {
	if !h.At.IsZero() {
		signingTime = h.At
	}
	if err := v4.NewSigner().SignHTTP(ctx, creds, r, emptyHash, service, region, signingTime, optFns...); err != nil {
		return "", nil, err
	}
	return r.URL.String(), r.Header.Clone(), nil
}

// FixedTimePresigner is the SDK's query presigner with a fixed signing
// time (tests of the signing window).
type FixedTimePresigner struct{ At time.Time }

// PresignHTTP implements sts.HTTPPresignerV4.
func (f FixedTimePresigner) PresignHTTP(ctx context.Context, creds aws.Credentials, r *http.Request,
	payloadHash, service, region string, _ time.Time,
	optFns ...func(*v4.SignerOptions)) (string, http.Header, error) {
	return v4.NewSigner().PresignHTTP(ctx, creds, r, payloadHash, service, region, f.At, optFns...)
}
