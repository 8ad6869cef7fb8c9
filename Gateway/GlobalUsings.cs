global using RealtimeAspire.Gateway;
