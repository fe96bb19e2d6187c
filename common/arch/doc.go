// Package arch holds no code: its tests check how the packages of common
// depend on each other and where rules live, so that the layering the
// README describes (domain, services, adapters; functions wire them)
// stays true.
package arch
