global using RealtimeAspire.AuthService;
