using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The OpenAPI description of a service's public HTTP API (protocol.md §1 and §6), served at <c>/openapi/v1.json</c> in
/// Development and kept in docs/openapi/ (a test compares the two). Only <c>/api/…</c> is described: internal and
/// operator endpoints are not part of the public contract, and the Gateway does not route them.
/// </summary>
public static class ApiDescriptionExtensions
{
    public const string DocumentPath = "/openapi/v1.json";

    private const string BearerScheme = "Bearer";

    public static TBuilder AddApiDescription<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOpenApi(options =>
        {
            options.ShouldInclude = description => description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer((document, _, _) =>
            {
                // The document describes the API, not the address one instance happened to listen on.
                document.Servers = [];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "A user's access token (POST /api/auth/token) or a server client's (grant_type=client_credentials).",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(DescribeAuthorizationAsync);
        });
        return builder;
    }

    /// <summary>An endpoint that needs a token says so, with the 401 (and, for a scope, 403) problem it answers without one.</summary>
    private static async Task DescribeAuthorizationAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (!metadata.OfType<IAuthorizeData>().Any() || metadata.OfType<IAllowAnonymous>().Any())
        {
            return;
        }

        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] }];
        var problem = await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), cancellationToken: cancellationToken);
        operation.Responses ??= [];
        operation.Responses.TryAdd("401", ProblemResponse("Unauthorized: no valid access token.", problem));
        if (metadata.OfType<AuthorizationPolicy>().Any(policy => policy.Requirements.OfType<AssertionRequirement>().Any()))
        {
            operation.Responses.TryAdd("403", ProblemResponse("Forbidden: the token lacks the scope.", problem));
        }
    }

    private static OpenApiResponse ProblemResponse(string description, IOpenApiSchema schema) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = schema } },
    };

    /// <summary>Maps the document in Development only; null elsewhere.</summary>
    public static IEndpointConventionBuilder? MapApiDescription(this WebApplication app) =>
        app.Environment.IsDevelopment() ? app.MapOpenApi(DocumentPath) : null;
}
