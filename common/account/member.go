package account

// Member is an account as its organization describes it: what the pool
// reads from Organizations before (or without) a row of its own.
type Member struct {
	ID    string
	Email string
	Name  string
}
