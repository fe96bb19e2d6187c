// Package bootconf gives the event and scheduled functions that read the
// global configuration its source, as apiwire.Config gives the API's. It
// lives apart from boot so that a function that reads no configuration
// does not link it.
package bootconf

import (
	"github.com/isb-go/isb/common/appconfig"
	"github.com/isb-go/isb/common/names"
	"github.com/isb-go/isb/functions/boot"
)

// Port is the key such a function wants (boot.For): the AppConfig
// extension's port, when it is not the default.
const Port = appconfig.ExtensionPortEnv

// Source returns the configuration through the AppConfig Lambda extension,
// for env's namespace, on the port env sets (Port).
func Source(env boot.Env) *appconfig.Source {
	return appconfig.New(appconfig.NewExtension(env[names.EnvNamespace], env[Port]), 0, nil)
}
