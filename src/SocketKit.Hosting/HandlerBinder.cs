using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using SocketKit.Applications.App;
using SocketKit.Transport.Connections;

namespace SocketKit.Hosting;

/// <summary>
/// Turns a handler written as ASP.NET Core's minimal APIs are (any parameters, any of a few return types) into the
/// router's async handler. Each parameter is bound once, when the server starts: <see cref="AppRequest"/>,
/// <see cref="CancellationToken"/>, <see cref="ConnectionInfo"/>, <see cref="ConnectionHandle"/>, or else a service,
/// resolved from a scope made for the request and disposed after it. A parameter that is none of these, and no
/// registered service, fails the start with its name.
/// </summary>
internal static class HandlerBinder
{
    private delegate object? Binder(AppRequest request, CancellationToken cancel, IServiceProvider scope);

    public static Func<AppRequest, CancellationToken, ValueTask<AppResponse>> Bind(string action, Delegate handler, IServiceProvider services)
    {
        MethodInfo method = handler.Method;
        Binder[] binders = [.. method.GetParameters().Select(p => BindParameter(action, p, services))];
        Func<object?, ValueTask<AppResponse>> answer = BindResult(action, method.ReturnType);
        bool scoped = method.GetParameters().Any(p => IsService(p.ParameterType));
        return async (request, cancel) =>
        {
            AsyncServiceScope? scope = scoped ? services.CreateAsyncScope() : null;
            try
            {
                IServiceProvider provider = scope?.ServiceProvider ?? services;
                object?[] arguments = new object?[binders.Length];
                for (int i = 0; i < binders.Length; i++)
                {
                    arguments[i] = binders[i](request, cancel, provider);
                }
                // Without wrapping: the handler's own exception is what is logged.
                object? result = method.Invoke(handler.Target, BindingFlags.DoNotWrapExceptions, null, arguments, null);
                return await answer(result).ConfigureAwait(false);
            }
            finally
            {
                if (scope is { } s)
                {
                    await s.DisposeAsync().ConfigureAwait(false);
                }
            }
        };
    }

    /// <summary>A handler class resolved per request from its scope (constructed with its services when not registered itself).</summary>
    public static Func<AppRequest, CancellationToken, ValueTask<AppResponse>> Bind<THandler>(IServiceProvider services)
        where THandler : class, IAppActionHandler =>
        async (request, cancel) =>
        {
            await using AsyncServiceScope scope = services.CreateAsyncScope();
            THandler handler = ActivatorUtilities.GetServiceOrCreateInstance<THandler>(scope.ServiceProvider);
            return await handler.HandleAsync(request, cancel).ConfigureAwait(false);
        };

    private static bool IsService(Type type) =>
        type != typeof(AppRequest) && type != typeof(CancellationToken) && type != typeof(ConnectionInfo) && type != typeof(ConnectionHandle);

    private static Binder BindParameter(string action, ParameterInfo parameter, IServiceProvider services)
    {
        Type type = parameter.ParameterType;
        if (type == typeof(AppRequest)) return (request, _, _) => request;
        if (type == typeof(CancellationToken)) return (_, cancel, _) => cancel;
        if (type == typeof(ConnectionInfo)) return (request, _, _) => request.Connection;
        if (type == typeof(ConnectionHandle)) return (request, _, _) => request.Connection?.Connection;
        if (services.GetService<IServiceProviderIsService>() is { } isService && !isService.IsService(type))
        {
            throw new InvalidOperationException(
                $"The handler of action '{action}' takes '{parameter.Name}' of type {type.Name}, which is no registered service " +
                "(a handler may take AppRequest, CancellationToken, ConnectionInfo, ConnectionHandle and registered services).");
        }
        return (_, _, scope) => scope.GetRequiredService(type);
    }

    private static Func<object?, ValueTask<AppResponse>> BindResult(string action, Type returns)
    {
        if (returns == typeof(AppResponse)) return result => new ValueTask<AppResponse>((AppResponse)result!);
        if (returns == typeof(string)) return result => new ValueTask<AppResponse>(AppResponse.Result((string)result!));
        if (returns == typeof(ValueTask<AppResponse>)) return result => (ValueTask<AppResponse>)result!;
        if (returns == typeof(Task<AppResponse>)) return result => new ValueTask<AppResponse>((Task<AppResponse>)result!);
        if (returns == typeof(ValueTask<string>)) return async result => AppResponse.Result(await ((ValueTask<string>)result!).ConfigureAwait(false));
        if (returns == typeof(Task<string>)) return async result => AppResponse.Result(await ((Task<string>)result!).ConfigureAwait(false));
        throw new InvalidOperationException(
            $"The handler of action '{action}' returns {returns.Name}; a handler returns AppResponse or string, or a Task or ValueTask of one.");
    }
}
