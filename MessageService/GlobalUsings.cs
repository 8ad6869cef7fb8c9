global using RealtimeAspire.MessageService;
