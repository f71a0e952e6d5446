using Engine.Host;

return args.Length > 0 && args[0] == "token" ? TokenCommand.Run(args[1..]) : EngineHost.Run(args);
