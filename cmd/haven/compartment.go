package main

import (
	"strings"
	"text/tabwriter"
)

// CompartmentCmd groups the need-to-know commands.
type CompartmentCmd struct {
	AddMember    CompartmentAddMemberCmd `cmd:"" name:"add-member" help:"Give a user the need to know for a compartment (created if new)."`
	RemoveMember CompartmentMemberCmd    `cmd:"" name:"remove-member" help:"Take a user out of a compartment."`
	List         CompartmentListCmd      `cmd:"" help:"List compartments and their members."`
}

// CompartmentMemberCmd names a compartment and a user.
type CompartmentMemberCmd struct {
	DBFlags
	Name string `arg:"" help:"Compartment (e.g. child-safety, threat-to-life, staff)."`
	User string `arg:"" help:"Username."`
}

// CompartmentAddMemberCmd adds a member.
type CompartmentAddMemberCmd struct {
	CompartmentMemberCmd
}

// Run adds the member.
func (c *CompartmentAddMemberCmd) Run(e *env) (err error) {
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	comp, err := a.svc.AddCompartmentMemberAsSystem(e.ctx, c.Name, c.User)
	if err != nil {
		return err
	}
	e.printf("%s: %s\n", comp.Name, strings.Join(comp.Members, ", "))
	return nil
}

// Run removes the member.
func (c *CompartmentMemberCmd) Run(e *env) (err error) {
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	comp, err := a.svc.RemoveCompartmentMemberAsSystem(e.ctx, c.Name, c.User)
	if err != nil {
		return err
	}
	e.printf("%s: %s\n", comp.Name, strings.Join(comp.Members, ", "))
	return nil
}

// CompartmentListCmd lists compartments.
type CompartmentListCmd struct {
	DBFlags
}

// Run prints the compartments as a table.
func (c *CompartmentListCmd) Run(e *env) (err error) {
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	comps, err := a.svc.CompartmentsAsSystem(e.ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	e.fprintln(w, "COMPARTMENT\tMEMBERS")
	for _, comp := range comps {
		e.fprintf(w, "%s\t%s\n", comp.Name, strings.Join(comp.Members, ", "))
	}
	return w.Flush()
}
