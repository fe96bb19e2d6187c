// Command idc-configurer is the IDC stack's custom resource: it creates or
// finds the Innovation Sandbox groups and permission sets in IAM Identity
// Center. See package idcsetup.
package main

import (
	"github.com/isb-go/isb/functions/boot"
	"github.com/isb-go/isb/functions/idc-configurer/wiring"
)

func main() { boot.Main(wiring.Function) }
