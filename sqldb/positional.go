package sqldb

// Haven's SQL numbers its parameters ($1, $2, …) for both databases. SQLite takes "$1" as a
// parameter named "$1", and modernc's driver asks SQLite for the name of every parameter it
// binds, which SQLite finds by a linear walk of the statement's list of names (and the driver
// copies into a new Go string): 3 % of the single writer's time at intake, for a case's ~25
// statements of up to 27 parameters. Anonymous parameters ("?") have no name to find. So the
// statements SQLite prepares and keeps (stmtcache.go) are rewritten with "?", and their
// arguments are put in the order of the "?"s.

// positional rewrites query's $N parameters as "?" and returns the argument index (0-based) of
// each "?" in order, nil when it is 0, 1, 2, … (the arguments as they are). ok is false when the
// query cannot be rewritten so (it has a "?", or a parameter of another form), and it is then
// run as it is. Quoted strings, quoted names and comments are left alone.
func positional(query string) (rewritten string, order []int, ok bool) {
	out := make([]byte, 0, len(query))
	identity := true
	for i := 0; i < len(query); {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			end := closing(query, i, c)
			out, i = append(out, query[i:end]...), end
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			end := lineEnd(query, i)
			out, i = append(out, query[i:end]...), end
		case c == '/' && i+1 < len(query) && query[i+1] == '*':
			end := commentEnd(query, i)
			out, i = append(out, query[i:end]...), end
		case c == '?' || c == ':' || c == '@':
			return query, nil, false
		case c == '$':
			n, end := number(query, i+1)
			if n == 0 {
				return query, nil, false
			}
			identity = identity && n == len(order)+1
			order = append(order, n-1)
			out, i = append(out, '?'), end
		default:
			out, i = append(out, c), i+1
		}
	}
	if identity {
		order = nil
	}
	return string(out), order, true
}

// closing returns the index after the quote that closes the one at i (a doubled quote is
// part of the text).
func closing(s string, i int, quote byte) int {
	for j := i + 1; j < len(s); j++ {
		if s[j] != quote {
			continue
		}
		if j+1 < len(s) && s[j+1] == quote {
			j++
			continue
		}
		return j + 1
	}
	return len(s)
}

func lineEnd(s string, i int) int {
	for j := i; j < len(s); j++ {
		if s[j] == '\n' {
			return j
		}
	}
	return len(s)
}

func commentEnd(s string, i int) int {
	for j := i + 2; j+1 < len(s); j++ {
		if s[j] == '*' && s[j+1] == '/' {
			return j + 2
		}
	}
	return len(s)
}

// number reads the decimal number at s[i:]; 0 when there is none (or it starts with 0).
func number(s string, i int) (n, end int) {
	end = i
	for end < len(s) && s[end] >= '0' && s[end] <= '9' && end-i < 6 {
		n = n*10 + int(s[end]-'0')
		end++
	}
	if end == i || s[i] == '0' {
		return 0, i
	}
	return n, end
}

// inOrder returns args in the order of a rewritten statement's "?"s. A parameter with no
// argument leaves args as they are, so that the statement fails as the original would have.
func inOrder(args []any, order []int) []any {
	if order == nil {
		return args
	}
	out := make([]any, len(order))
	for i, k := range order {
		if k >= len(args) {
			return args
		}
		out[i] = args[k]
	}
	return out
}
