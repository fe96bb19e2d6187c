// Package spend is money spent per account and day, as Cost Explorer
// reports it (package costs fetches it): what the lease monitor and the
// cost report decide on.
package spend

import (
	"maps"
	"slices"
)

// MaxAccountsPerCall is how many accounts one fetch may name (Cost
// Explorer's filter limit, upstream's
// COST_EXPLORER_CONFIG.MAX_ACCOUNTS_IN_FILTER).
const MaxAccountsPerCall = 199

// Currency is the unit of every amount.
const Currency = "USD"

// DayFormat is the days' format; days compare as strings.
const DayFormat = "2006-01-02"

// Daily is spend per account and day: account id → yyyy-mm-dd → USD.
type Daily map[string]map[string]float64

// Add records an amount; amounts for the same account and day (pages
// split groups, not days) add up.
func (d Daily) Add(account, day string, amount float64) {
	if d[account] == nil {
		d[account] = map[string]float64{}
	}
	d[account][day] += amount
}

// Between sums an account's spend over the days [from, to] (inclusive;
// an empty to has no end), in day order so the same answer always gives
// the same total to the last bit.
func (d Daily) Between(account, from, to string) float64 {
	days := d[account]
	total := 0.0
	for _, day := range slices.Sorted(maps.Keys(days)) {
		if day >= from && (to == "" || day <= to) {
			total += days[day]
		}
	}
	return total
}
