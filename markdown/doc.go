// Package markdown renders knowledge-base articles (a helpline's policies and guides, in every
// language it answers in, Arabic among them) from Markdown to HTML that is safe to put in a page.
//
// Rendering is two layers on purpose: goldmark in its safe mode never passes raw HTML or a
// scriptable link through, and a strict bluemonday allowlist then removes anything that is not
// one of the few elements Markdown produces. Either layer alone would stop the known payloads;
// both together mean a bug in one is not a hole. Validate is for authors: it refuses, with line
// numbers, the constructs the renderer would silently drop as attacks.
package markdown
