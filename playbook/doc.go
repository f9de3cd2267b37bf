// Package playbook reads, checks and writes helpline playbooks: named procedures for a type of
// incident, written in YAML. Applying a playbook to a case creates a task for each step of
// start; a decision step asks a question, and choosing one of its answers creates that answer's
// steps (like the Digital First Aid Kit's "Can the person still log in?").
//
// The format (docs/playbooks.md has the full reference):
//
//	name: account-compromise          # slug, the playbook's identity
//	title: {en: "Account compromise", fr: "Compte compromis", ar: "اختراق حساب"}
//	languages: [en, fr, ar]           # every text has all of these (others are optional)
//	categories: [account-compromise]  # category slugs, may contain '/'
//	auto: false                       # apply to new cases of these categories
//	sources: ["https://digitalfirstaid.org/…"]
//	start: [assess, can-login]        # steps created when the playbook is applied, in order
//	steps:
//	  - id: assess                    # slug, unique in the file
//	    text: {en: "…", fr: "…", ar: "…"}   # a task's title (≤ 300 bytes a language)
//	    guidance: {en: "…", …}        # optional (≤ 4000 bytes a language)
//	    template: account-ack         # optional reply template
//	    article: policy-vetting       # optional knowledge-base article
//	    required: true                # the case cannot close while this task is open
//	  - id: can-login
//	    question: {en: "Can the person still log in?", …}   # a decision: question, not text
//	    answers:
//	      - id: "yes"
//	        text: {en: "Yes", …}
//	        steps: [change-password, review-sessions]
//	      - id: "no"
//	        text: {en: "No", …}
//	        steps: [recovery-form]
//
// Parse refuses, with one *haven.Error of code EINVALID that lists up to MaxProblems problems
// (Message: the first, "line 12: …", and how many more; Fields: each under its path, such as
// "steps[1].answers[0].steps[1]", or "yaml" for the file as a whole):
//
//   - files over MaxSize (before parsing), more than one YAML document, anchors and aliases
//     (so YAML bombs and merge keys), more than MaxNodes nodes or nesting deeper than MaxDepth;
//   - unknown or repeated keys and values of the wrong type;
//   - ids and names that are not slugs, steps defined twice, answers given twice in a step;
//   - a step with both text and question or neither, a decision with fewer than 2 answers, a
//     task with answers;
//   - an empty start, references to unknown steps, a step listed twice in start or in an
//     answer, cycles between decisions (with the path), steps nothing leads to;
//   - texts missing a language of languages or blank, malformed language tags, control
//     characters, and the size limits (MaxTextBytes, MaxGuidanceBytes, MaxSteps, MaxAnswers,
//     MaxAnswerSteps).
//
// Problems of shape (types, keys) are found in the YAML tree; the rules about content run on the
// decoded Playbook, unless a value of the wrong type left it incomplete, and are exported as
// Validate for playbooks built in code. Marshal writes the canonical form; Parse(Marshal(p))
// equals p except for Line fields.
package playbook
