global using RealtimeAspire.AuthService;
global using RealtimeAspire.Contracts;
