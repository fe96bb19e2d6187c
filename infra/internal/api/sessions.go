package api

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/jsii-runtime-go"

	"github.com/isb-go/isb/infra/internal/platform"
)

// grantRevocationCheck lets fn read the Sessions table's deny-list: one
// GetItem per token verification, and decrypting the table's key.
func grantRevocationCheck(sessions awsdynamodb.ITable, fn *platform.GoFunction) {
	sessions.Grant(fn.Role, jsii.String("dynamodb:GetItem"))
	if k := sessions.EncryptionKey(); k != nil {
		k.GrantDecrypt(fn.Role)
	}
}

// grantSessionWrites lets the sign-in handler record used sign-in
// requests and revoked tokens (conditional PutItem) and read them back.
func grantSessionWrites(sessions awsdynamodb.ITable, fn *platform.GoFunction) {
	sessions.Grant(fn.Role, jsii.String("dynamodb:GetItem"), jsii.String("dynamodb:PutItem"))
	if k := sessions.EncryptionKey(); k != nil {
		k.GrantEncryptDecrypt(fn.Role)
	}
}
