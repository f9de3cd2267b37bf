package haven

import "context"

// Tx is one database transaction exposing every store. A service use case runs in exactly one,
// so its changes and the events recording them commit or roll back together.
type Tx interface {
	CaseStore
	RequesterStore
	OrganisationStore
	ReportStore
	MessageStore
	NoteStore
	TaskStore
	AttachmentStore
	UserStore
	AuthStore
	EventStore
	CategoryStore
	ErasureStore
	CompartmentStore
	JobStore
	RetentionStore
	TwoFactorStore
	NotificationStore
	IntakeStore
	SavedViewStore
	OutboxStore
	PGPKeyStore
	CorrespondentStore
	TemplateStore
	PlaybookStore
	ArticleStore
	PlatformStore
	PlanStore
	EscalationStore
	AlertStore
	ScheduleStore
	PageChannelStore
	SLAStore
	PresenceStore
	ObservableStore
	IntelStore
	CaseStatsStore
}

// Store opens transactions.
type Store interface {
	// Update runs fn in a read-write transaction, committing when fn returns nil.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// SearchTerms turns text into what the search index holds for it (for AppendCaseTerms). It
	// needs no transaction, so callers compute it before theirs, outside the single writer.
	SearchTerms(text string) string
	Close() error
}

// Generational is a Store that can tell when its data may have changed: Generation returns a
// number that changes with every write, or false when the store cannot tell (a database shared
// by several processes). Readers may keep what they read while it stays the same.
type Generational interface {
	Generation() (uint64, bool)
}

// CaseTextPreparer is a store that can be handed a case's title and summary before the write
// transaction that indexes them, to do the text work outside it (SQLite has a single writer).
// It changes no data: a store that did nothing would index the same document.
type CaseTextPreparer interface {
	PrepareCaseText(title, summary string)
}

// ReferenceGenerational is a Generational store that also tells when reference data may have
// changed (users, teams, API tokens, sessions, settings, categories, playbooks: what resolves a
// credential and configures the helpline): ReferenceGeneration changes with those writes only
// (and whenever the store cannot say which data a change touched), or returns false when the
// store cannot tell.
type ReferenceGenerational interface {
	Generational
	ReferenceGeneration() (uint64, bool)
}
