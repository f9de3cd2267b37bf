package web

import (
	"net/http"
	"strconv"

	"github.com/haven-helpline/haven"
)

func (s *Server) addNote(w http.ResponseWriter, r *http.Request) error {
	var in haven.NoteCreate
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	n, err := s.svc.Notes.AddNote(r.Context(), r.PathValue("number"), in)
	return created(w, n, err)
}

func (s *Server) listNotes(w http.ResponseWriter, r *http.Request) error {
	notes, err := s.svc.Notes.Notes(r.Context(), r.PathValue("number"))
	return replyList(w, notes, err)
}

func (s *Server) addTask(w http.ResponseWriter, r *http.Request) error {
	var in haven.TaskCreate
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	t, err := s.svc.Tasks.AddTask(r.Context(), r.PathValue("number"), in)
	return created(w, t, err)
}

func (s *Server) listTasks(w http.ResponseWriter, r *http.Request) error {
	tasks, err := s.svc.Tasks.Tasks(r.Context(), r.PathValue("number"))
	return replyList(w, tasks, err)
}

func (s *Server) updateTask(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "task")
	if err != nil {
		return err
	}
	var up haven.TaskUpdate
	if err := s.decode(w, r, &up); err != nil {
		return err
	}
	t, err := s.svc.Tasks.UpdateTask(r.Context(), r.PathValue("number"), id, up)
	return reply(w, t, err)
}

func (s *Server) addMessage(w http.ResponseWriter, r *http.Request) error {
	var in haven.MessageCreate
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	m, err := s.svc.Messages.AddMessage(r.Context(), r.PathValue("number"), in)
	return created(w, m, err)
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) error {
	msgs, err := s.svc.Messages.Messages(r.Context(), r.PathValue("number"))
	return replyList(w, msgs, err)
}

func (s *Server) createReport(w http.ResponseWriter, r *http.Request) error {
	var in haven.ReportCreate
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	rep, err := s.svc.Reports.CreateReport(r.Context(), in)
	return created(w, rep, err)
}

type linkReportRequest struct {
	ReportID int64 `json:"report_id"`
}

func (s *Server) linkReport(w http.ResponseWriter, r *http.Request) error {
	var in linkReportRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if in.ReportID <= 0 {
		return &haven.Error{Code: haven.EINVALID, Message: "which report?",
			Fields: map[string]string{"report_id": "required, a report id"}}
	}
	rep, err := s.svc.Reports.LinkReport(r.Context(), in.ReportID, r.PathValue("number"))
	return reply(w, rep, err)
}

func (s *Server) listReports(w http.ResponseWriter, r *http.Request) error {
	reps, err := s.svc.Reports.Reports(r.Context(), r.PathValue("number"))
	return replyList(w, reps, err)
}

// pathID reads a numeric id from the path; one that is not a number names nothing, so it is a 404.
func pathID(r *http.Request, name, noun string) (int64, error) {
	s := r.PathValue(name)
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, haven.Errorf(haven.ENOTFOUND, "%s %q not found", noun, s)
	}
	return id, nil
}
