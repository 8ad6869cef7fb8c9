global using RealtimeAspire.ConnectionService;
