global using Microsoft.AspNetCore.Http.HttpResults;
global using RealtimeAspire.MessageService;
global using RealtimeAspire.MessageService.Rooms;
global using RealtimeAspire.Contracts;
