// Package kmssign signs tokens with an asymmetric KMS key (auth.Signer).
// It is apart from auth so that the verifiers, which never sign, do not
// link the KMS client.
package kmssign

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// MaxSignedMessageBytes is the longest message KMS signs whole (RAW).
const MaxSignedMessageBytes = 4096

// Client is the one KMS call Signer makes.
type Client interface {
	Sign(ctx context.Context, in *kms.SignInput, opts ...func(*kms.Options)) (*kms.SignOutput, error)
}

// Signer signs with an asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY):
// the private key never leaves KMS.
type Signer struct{ Client Client }

// Sign asks KMS for an ECDSA_SHA_256 signature of the raw message.
func (s Signer) Sign(ctx context.Context, keyID string, message []byte) ([]byte, error) {
	if len(message) > MaxSignedMessageBytes {
		return nil, fmt.Errorf(
			"sign with %s: message of %d bytes, KMS signs at most %d",
			keyID,
			len(message),
			MaxSignedMessageBytes,
		)
	}
	out, err := s.Client.Sign(ctx, &kms.SignInput{
		KeyId: aws.String(keyID), Message: message,
		MessageType: kmstypes.MessageTypeRaw, SigningAlgorithm: kmstypes.SigningAlgorithmSpecEcdsaSha256,
	})
	if err != nil {
		return nil, fmt.Errorf("sign with %s: %w", keyID, err)
	}
	return out.Signature, nil
}
