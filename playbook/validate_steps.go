package playbook

// step checks one step and its answers; references between steps are checked by graph.
func (v *validator) step(i int) {
	s := &v.p.Steps[i]
	path := index("steps", i)
	what := stepLabel(i, s.ID)
	v.id(path, what, s.ID)
	if j, ok := v.index[s.ID]; ok && j < i {
		v.add(path+".id", "%s is defined twice (first on line %d)", what, v.p.Steps[j].Line)
	}
	hasText, hasQuestion := s.Text != nil, s.Question != nil
	switch {
	case hasText && hasQuestion:
		v.add(path, "%s has both text and question: a step is a task (text) or a decision (question)", what)
	case !hasText && !hasQuestion:
		v.add(path, "%s needs a text (a task) or a question (a decision)", what)
	}
	if hasText {
		v.text(path+".text", what+": text", s.Text, MaxTextBytes)
	}
	if hasQuestion {
		v.text(path+".question", what+": question", s.Question, MaxTextBytes)
	}
	if s.Guidance != nil {
		v.text(path+".guidance", what+": guidance", s.Guidance, MaxGuidanceBytes)
	}
	v.ref(path+".template", what+": template", s.Template)
	v.ref(path+".article", what+": article", s.Article)
	v.decision(path, what, s, hasQuestion)
}

func (v *validator) id(path, what, id string) {
	switch {
	case id == "":
		v.add(path, "%s: id is missing", what)
	case !slugRE.MatchString(id):
		v.add(path+".id", "%s: id must be %s", what, slugRule)
	}
}

func (v *validator) ref(path, what, name string) {
	if name != "" && !refRE.MatchString(name) {
		v.add(path, "%s %q must be %s", what, short(name), refRule)
	}
}

// decision checks the answers: a decision has 2 to MaxAnswers of them, a task none.
func (v *validator) decision(path, what string, s *Step, hasQuestion bool) {
	n := len(s.Answers)
	switch {
	case !hasQuestion && n > 0:
		v.add(path+".answers", "%s has answers but no question: only a decision has answers", what)
	case hasQuestion && n < minDecisionAnswer:
		v.add(path+".answers", "%s is a decision and needs at least %d answers", what, minDecisionAnswer)
	case n > MaxAnswers:
		v.add(path+".answers", "%s has %d answers, more than the %d allowed", what, n, MaxAnswers)
	}
	seen := make(map[string]int, n)
	for j := range s.Answers {
		a := &s.Answers[j]
		apath := index(path+".answers", j)
		awhat := what + ": " + answerLabel(j, a.ID)
		v.id(apath, awhat, a.ID)
		if first, dup := seen[a.ID]; dup && a.ID != "" {
			v.add(apath+".id", "%s is given twice (first on line %d)", awhat, s.Answers[first].Line)
		} else {
			seen[a.ID] = j
		}
		if a.Text == nil {
			v.add(apath, "%s: text is missing", awhat)
		} else {
			v.text(apath+".text", awhat+": text", a.Text, MaxTextBytes)
		}
		if len(a.Steps) > MaxAnswerSteps {
			v.add(apath+".steps", "%s leads to %d steps, more than the %d allowed", awhat, len(a.Steps), MaxAnswerSteps)
		}
		v.unique(apath+".steps", awhat+": steps", a.Steps)
	}
}
