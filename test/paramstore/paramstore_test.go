// Package paramstore_test reads parameters through the emulator's SSM with
// the signed request of common/paramstore.
package paramstore_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/isb-go/isb/common/paramstore"
	"github.com/isb-go/isb/test/emulator"
)

func TestAParameterReadsAsTheSSMClientWroteIt(t *testing.T) {
	cfg := emulator.Config(t)
	value := `{"entryOuId":"ou-entry","note":"quotes \" and unicode é"}`
	for _, name := range []string{"/isb-test/AccountPool", "plain-name"} {
		if _, err := ssm.NewFromConfig(cfg).PutParameter(t.Context(), &ssm.PutParameterInput{
			Name: aws.String(name), Value: aws.String(value), Type: ssmtypes.ParameterTypeString}); err != nil {
			t.Fatal(err)
		}
		got, err := paramstore.New(cfg).Parameter(t.Context(), name)
		if err != nil || got != value {
			t.Errorf("Parameter(%s) = %q, %v; want %q", name, got, err, value)
		}
	}
}

func TestAMissingParameterIsSSMsParameterNotFound(t *testing.T) {
	_, err := paramstore.New(emulator.Config(t)).Parameter(t.Context(), "/isb-test/none")
	var e *paramstore.Error
	if !errors.As(err, &e) || e.Type != "ParameterNotFound" || e.Status != 400 {
		t.Fatalf("err = %v, want a 400 ParameterNotFound", err)
	}
}
