// Command bare is the yardstick of the start-up bench: an aws-lambda-go
// program that does nothing but start the runtime loop.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, json.RawMessage) error { return nil })
}
