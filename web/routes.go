package web

import (
	"net/http"

	"github.com/haven-helpline/haven"
)

// apiFunc is a handler that returns its error; adapt turns the error into the JSON answer.
type apiFunc func(w http.ResponseWriter, r *http.Request) error

// route is one row of the table that both registers the mux and documents the API (Routes).
type route struct {
	Route
	h apiFunc
}

func api(method, pattern string, h apiFunc) route {
	return route{Route{Method: method, Pattern: "/api/v1" + pattern, Auth: true}, h}
}

func public(method, pattern string, h apiFunc) route {
	return route{Route{Method: method, Pattern: pattern}, h}
}

// table is the single list of routes. The OpenAPI test checks it against openapi.json both ways.
func (s *Server) table() []route {
	return []route{
		api("POST", "/cases", s.createCase),
		api("GET", "/cases", s.listCases),
		api("GET", "/cases/{number}", s.getCase),
		api("PATCH", "/cases/{number}", s.updateCase),
		api("POST", "/cases/{number}/assign", s.assignCase),
		api("POST", "/cases/{number}/transitions", s.transitionCase),
		api("POST", "/cases/{number}/links", s.linkCases),
		api("DELETE", "/cases/{number}/links/{other}", s.unlinkCases),
		api("POST", "/cases/{number}/duplicate", s.markDuplicate),
		api("GET", "/cases/{number}/timeline", s.timeline),
		api("POST", "/cases/{number}/presence", s.casePresence),
		api("POST", "/cases/{number}/notes", s.addNote),
		api("GET", "/cases/{number}/notes", s.listNotes),
		api("POST", "/cases/{number}/tasks", s.addTask),
		api("GET", "/cases/{number}/tasks", s.listTasks),
		api("PATCH", "/cases/{number}/tasks/{id}", s.updateTask),
		api("POST", "/cases/{number}/messages", s.addMessage),
		api("GET", "/cases/{number}/messages", s.listMessages),
		api("POST", "/cases/{number}/attachments", s.addAttachment),
		api("GET", "/cases/{number}/attachments", s.listAttachments),
		api("GET", "/cases/{number}/attachments/{id}", s.downloadAttachment),
		api("POST", "/cases/{number}/reports", s.linkReport),
		api("GET", "/cases/{number}/reports", s.listReports),
		api("POST", "/cases/{number}/render-template", s.renderTemplate),
		api("GET", "/cases/{number}/correspondent", s.getCorrespondent),
		api("POST", "/cases/{number}/correspondent/confirm", s.confirmCorrespondent),
		api("POST", "/reports", s.createReport),
		api("GET", "/playbooks", s.listPlaybooks),
		api("POST", "/playbooks", s.savePlaybook),
		api("GET", "/playbooks/{name}", s.getPlaybook),
		api("POST", "/cases/{number}/playbooks", s.applyPlaybook),
		api("GET", "/cases/{number}/playbooks", s.playbookRuns),
		api("POST", "/cases/{number}/decisions", s.decide),
		api("GET", "/articles", s.listArticles),
		api("POST", "/articles", s.createArticle),
		api("GET", "/articles/{slug}", s.getArticle),
		api("PATCH", "/articles/{slug}", s.updateArticle),
		api("GET", "/articles/{slug}/versions", s.articleVersions),
		api("GET", "/articles/{slug}/citations", s.articleCitations),
		api("GET", "/cases/{number}/citations", s.caseCitations),
		api("GET", "/settings/citations", s.getCitationRules),
		api("PUT", "/settings/citations", s.setCitationRules),
		api("GET", "/cases/{number}/plans", s.listPlans),
		api("POST", "/cases/{number}/plans", s.proposePlan),
		api("POST", "/cases/{number}/plans/{id}/approve", s.approvePlan),
		api("POST", "/cases/{number}/plans/{id}/reject", s.rejectPlan),
		api("GET", "/categories", s.listCategories),
		api("POST", "/categories", s.createCategory),
		api("PATCH", "/categories/{slug}", s.updateCategory),
		api("GET", "/platforms", s.listPlatforms),
		api("POST", "/platforms", s.createPlatform),
		api("GET", "/platforms/{slug}", s.getPlatform),
		api("PATCH", "/platforms/{slug}", s.updatePlatform),
		api("POST", "/cases/{number}/escalations", s.createEscalation),
		api("GET", "/cases/{number}/escalations", s.caseEscalations),
		api("GET", "/escalations", s.listEscalations),
		api("GET", "/escalations/{id}", s.getEscalation),
		api("POST", "/escalations/{id}/transitions", s.transitionEscalation),
		api("GET", "/stats/escalations", s.escalationStats),
		api("GET", "/stats/cases", s.caseStats),
		api("GET", "/settings/public-statistics", s.getPublicSettings),
		api("PUT", "/settings/public-statistics", s.putPublicSettings),
		api("GET", "/settings/report-schedule", s.getBriefingSchedule),
		api("PUT", "/settings/report-schedule", s.putBriefingSchedule),
		api("GET", "/cases/{number}/observables", s.caseObservables),
		api("GET", "/observables", s.findObservables),
		api("GET", "/observables/{id}", s.getObservable),
		api("PATCH", "/observables/{id}", s.updateObservable),
		api("GET", "/observables/{id}/sightings", s.observableSightings),
		api("GET", "/allowlist", s.getAllowList),
		api("PUT", "/allowlist", s.putAllowList),
		api("GET", "/campaigns", s.listGroups(haven.GroupCampaign)),
		api("POST", "/campaigns", s.createGroup(haven.GroupCampaign)),
		api("GET", "/campaigns/{id}", s.getGroup(haven.GroupCampaign)),
		api("PATCH", "/campaigns/{id}", s.updateGroup(haven.GroupCampaign)),
		api("GET", "/actors", s.listGroups(haven.GroupActor)),
		api("POST", "/actors", s.createGroup(haven.GroupActor)),
		api("GET", "/actors/{id}", s.getGroup(haven.GroupActor)),
		api("PATCH", "/actors/{id}", s.updateGroup(haven.GroupActor)),
		api("GET", "/cases/{number}/intel", s.getCaseIntel),
		api("PUT", "/cases/{number}/intel", s.putCaseIntel),
		api("GET", "/cases/{number}/export", s.exportCase),
		api("POST", "/export", s.exportSelection),
		api("POST", "/import", s.importFeed),
		api("GET", "/schedules", s.listSchedules),
		api("POST", "/schedules", s.createSchedule),
		api("GET", "/schedules/{name}", s.getSchedule),
		api("PATCH", "/schedules/{name}", s.updateSchedule),
		api("GET", "/schedules/{name}/oncall", s.scheduleOnCall),
		api("POST", "/schedules/{name}/overrides", s.addOverride),
		api("GET", "/escalation-policies", s.listPolicies),
		api("POST", "/escalation-policies", s.createPolicy),
		api("GET", "/escalation-policies/{name}", s.getPolicy),
		api("PATCH", "/escalation-policies/{name}", s.updatePolicy),
		api("POST", "/alerts", s.createAlert),
		api("GET", "/alerts", s.listAlerts),
		api("GET", "/alerts/{id}", s.getAlert),
		api("POST", "/alerts/{id}/acknowledge", s.acknowledgeAlert),
		api("POST", "/alerts/{id}/resolve", s.resolveAlert),
		api("POST", "/alerts/{id}/reassign", s.reassignAlert),
		api("GET", "/cases/{number}/sla", s.caseClocks),
		api("GET", "/stats/sla", s.slaStats),
		api("GET", "/settings/sla", s.getSLASettings),
		api("PUT", "/settings/sla", s.putSLASettings),
		api("GET", "/calendars", s.listCalendars),
		api("POST", "/calendars", s.saveCalendar),
		api("GET", "/account/channels", s.listChannels),
		api("POST", "/account/channels", s.addChannel),
		api("POST", "/account/channels/{id}/verify", s.verifyChannel),
		api("POST", "/account/channels/{id}/test", s.testChannel),
		api("DELETE", "/account/channels/{id}", s.deleteChannel),
		api("GET", "/templates", s.listTemplates),
		api("POST", "/templates", s.createTemplate),
		api("GET", "/templates/{id}", s.getTemplate),
		api("PATCH", "/templates/{id}", s.updateTemplate),
		api("DELETE", "/templates/{id}", s.retireTemplate),
		api("GET", "/templates/{id}/versions", s.templateVersions),
		api("GET", "/search", s.search),

		api("POST", "/requesters", s.createRequester),
		api("GET", "/requesters", s.listRequesters),
		api("GET", "/requesters/{id}", s.getRequester),
		api("PATCH", "/requesters/{id}", s.updateRequester),
		api("POST", "/requesters/{id}/merge", s.mergeRequesters),
		api("GET", "/requesters/{id}/cases", s.requesterCases),

		api("GET", "/me", s.me),
		api("PATCH", "/me", s.updateMe),
		api("GET", "/users", s.listUsers),
		api("POST", "/users", s.createUser),
		api("GET", "/users/{username}", s.getUser),
		api("PATCH", "/users/{username}", s.updateUser),
		api("POST", "/users/{username}/sign-out", s.signOutUser),
		api("POST", "/users/{username}/reset-password", s.resetPassword),
		api("GET", "/teams", s.listTeams),
		api("POST", "/teams", s.createTeam),
		api("PATCH", "/teams/{name}", s.updateTeam),
		api("POST", "/teams/{name}/members", s.addTeamMember),
		api("DELETE", "/teams/{name}/members/{username}", s.removeTeamMember),
		api("POST", "/tokens", s.createToken),
		api("GET", "/tokens", s.listTokens),
		api("DELETE", "/tokens/{id}", s.revokeToken),
		api("POST", "/cases/{number}/break-glass", s.breakGlass),
		api("POST", "/cases/{number}/access", s.grantAccess),
		api("GET", "/notifications", s.listNotifications),
		api("POST", "/notifications/read", s.readNotifications),
		api("GET", "/account/notification-preferences", s.getNotificationPrefs),
		api("PUT", "/account/notification-preferences", s.putNotificationPrefs),
		api("GET", "/account/two-factor", s.twoFactorStatus),
		api("POST", "/account/two-factor", s.beginTwoFactor),
		api("POST", "/account/two-factor/confirm", s.confirmTwoFactor),
		api("POST", "/users/{username}/two-factor/disable", s.disableTwoFactor),
		api("PUT", "/settings/two-factor", s.requireTwoFactor),
		api("GET", "/retention", s.listRetention),
		api("PUT", "/retention/{category}", s.setRetention),
		api("GET", "/compartments", s.listCompartments),
		api("POST", "/compartments", s.createCompartment),
		api("POST", "/compartments/{name}/members", s.addCompartmentMember),
		api("DELETE", "/compartments/{name}/members/{username}", s.removeCompartmentMember),
		api("GET", "/audit", s.listAudit),
		api("GET", "/audit/export", s.exportAudit),

		public("POST", "/api/v1/session", s.login),
		public("GET", "/api/v1/session", s.session),
		public("DELETE", "/api/v1/session", s.logout),
		public("GET", "/api/v1/openapi.json", s.openAPI),
		public("GET", "/healthz", s.healthz),
		public("GET", "/readyz", s.readyz),
		public("GET", "/metrics", s.serveMetrics),
	}
}

// adapt wraps a route's handler: it names the route for logs and metrics, authenticates when the
// route needs it, and turns a returned error into the JSON error answer.
func (s *Server) adapt(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := infoFrom(r.Context())
		if info != nil {
			info.route = rt.Pattern
		}
		if rt.Auth {
			var err error
			if r, err = s.authenticate(r); err != nil {
				s.writeError(w, r, err)
				return
			}
			if info != nil {
				info.user = actorName(r.Context())
			}
		}
		if err := rt.h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}
