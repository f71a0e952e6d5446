using Engine.Host;
using Engine.Host.Backend;

return args.Length > 0 && args[0] == "token" ? TokenCommand.Run(args[1..])
    : args.Length > 0 && args[0] == "backend" ? BackendCommand.Run(args[1..])
    : EngineHost.Run(args);
