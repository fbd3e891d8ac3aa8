package app

// protocolServers builds the protocol listeners the configuration asks for.
func (a *App) protocolServers() ([]server, error) {
	return nil, nil
}
