package main

import (
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/auth"
)

// UserCmd groups the account commands.
type UserCmd struct {
	Add      UserAddCmd      `cmd:"" help:"Add a staff account. Password from HAVEN_PASSWORD, else a prompt on a terminal, else generated and printed once."`
	List     UserListCmd     `cmd:"" help:"List staff accounts."`
	Disable  UserDisableCmd  `cmd:"" help:"Disable an account (it can no longer sign in or use its tokens)."`
	Reset2FA UserReset2FACmd `cmd:"" name:"reset-2fa" help:"Remove an account's second factor (a lost phone); they set up a new one at next sign-in."`
	ResetPW  UserResetPWCmd  `cmd:"" name:"reset-password" help:"Give an account a generated one-time password, printed once; it must be replaced at the next sign-in. Ends the account's sessions and API tokens, and tells the user."`
}

// UserAddCmd adds a user.
type UserAddCmd struct {
	DBFlags
	Role        string `name:"role" enum:"handler,lead,admin,auditor" default:"handler" help:"Role: handler, lead, admin or auditor."`
	DisplayName string `name:"display-name" help:"Name shown to colleagues."`
	Email       string `name:"email" help:"Work email address."`
	Language    string `name:"language" default:"en" help:"Interface language."`
	Temporary   bool   `name:"temporary" help:"The password from HAVEN_PASSWORD or the prompt is one to hand over: it works for one sign-in, which must choose the user's own (a generated password always is)."`
	Username    string `arg:"" help:"Login name (lower-case)."`
}

// Run creates the account.
func (c *UserAddCmd) Run(e *env) (err error) {
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	password, generated, err := choosePassword(e)
	if err != nil {
		return err
	}
	// A generated password passes through the operator's hands: the user replaces it at once.
	oneTime := generated || c.Temporary
	u, err := a.svc.CreateUserAsSystem(e.ctx, haven.UserCreate{Username: c.Username, DisplayName: c.DisplayName,
		Email: c.Email, Role: haven.Role(c.Role), Language: c.Language, Password: password}, oneTime)
	if err != nil {
		return err
	}
	e.printf("created %s (%s)\n", u.Username, u.Role)
	if generated {
		e.printf("password (shown once): %s\n", password)
	}
	if oneTime {
		e.printf("the password works for one sign-in to the web interface, which asks %s to choose their own first\n", u.Username)
	}
	return nil
}

// choosePassword takes HAVEN_PASSWORD, else asks on a terminal, else generates one.
func choosePassword(e *env) (password string, generated bool, err error) {
	if p, ok := os.LookupEnv("HAVEN_PASSWORD"); ok {
		return p, false, nil
	}
	if term.IsTerminal(int(e.stdin.Fd())) {
		e.fprintf(e.stderr, "Password (at least 12 characters): ")
		b, err := term.ReadPassword(int(e.stdin.Fd()))
		e.fprintln(e.stderr)
		if err != nil {
			return "", false, haven.Internal("read password", err)
		}
		return strings.TrimRight(string(b), "\r\n"), false, nil
	}
	p, err := auth.GeneratePassword()
	if err != nil {
		return "", false, haven.Internal("generate password", err)
	}
	return p, true, nil
}

// UserListCmd lists users.
type UserListCmd struct {
	DBFlags
}

// Run prints the accounts as a table.
func (c *UserListCmd) Run(e *env) (err error) {
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	users, err := a.svc.UsersAsSystem(e.ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	e.fprintln(w, "USERNAME\tROLE\tTEAMS\tSTATUS\tCREATED")
	for _, u := range users {
		status := "active"
		switch {
		case u.Disabled:
			status = "disabled"
		case u.MustChangePassword: // has not signed in with the password handed over yet
			status = "one-time-password"
		}
		e.fprintf(w, "%s\t%s\t%s\t%s\t%s\n", u.Username, u.Role, strings.Join(u.Teams, ","), status, u.CreatedAt.Format("2006-01-02"))
	}
	return w.Flush()
}

// UserDisableCmd disables a user.
type UserDisableCmd struct {
	DBFlags
	Username string `arg:"" help:"Login name."`
}

// Run disables the account.
func (c *UserDisableCmd) Run(e *env) (err error) {
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	disabled := true
	if _, err := a.svc.UpdateUserAsSystem(e.ctx, c.Username, haven.UserUpdate{Disabled: &disabled}); err != nil {
		return err
	}
	e.printf("disabled %s\n", c.Username)
	return nil
}

// UserReset2FACmd removes a user's second factor.
type UserReset2FACmd struct {
	DBFlags
	Username string `arg:"" help:"Login name."`
}

// Run removes the second factor and its recovery codes (recorded in the audit trail).
func (c *UserReset2FACmd) Run(e *env) (err error) {
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	if err := a.svc.DisableTOTPAsSystem(e.ctx, c.Username); err != nil {
		return err
	}
	e.printf("removed the second factor of %s\n", c.Username)
	return nil
}

// UserResetPWCmd resets a user's password to a one-time one.
type UserResetPWCmd struct {
	DBFlags
	Username string `arg:"" help:"Login name."`
}

// Run sets the one-time password and prints it (recorded in the audit trail, notified to the user).
func (c *UserResetPWCmd) Run(e *env) (err error) {
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	password, err := a.svc.ResetPasswordAsSystem(e.ctx, c.Username)
	if err != nil {
		return err
	}
	e.printf("one-time password of %s (shown once; it must be replaced at the next sign-in): %s\n", c.Username, password)
	return nil
}
