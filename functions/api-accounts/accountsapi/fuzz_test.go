package accountsapi_test

import (
	"errors"
	"testing"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/functions/api-accounts/accountsapi"
)

func FuzzDecodeRegistration(f *testing.F) {
	for _, s := range []string{`{"awsAccountId":"123456789012"}`, `{"awsAccountId":"123456789012","email":"a@b.c","name":"n","meta":{"x":1}}`,
		`{"awsAccountId":123456789012}`, `{"awsAccountId":"1","name":"` + string(make([]byte, 60)) + `"}`, `{"ou":"x"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := accountsapi.DecodeRegistration(b)
		var v *fault.ValidationError
		if err != nil && (!errors.As(err, &v) || len(v.Fields) == 0) {
			t.Fatalf("decode error is not a field validation error: %v", err)
		}
	})
}
