package web

// accountRoutes registers the account, requester and admin pages.
func (s *Server) accountRoutes() {}
