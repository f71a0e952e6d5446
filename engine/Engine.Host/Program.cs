using Engine.Host;

return EngineHost.Run(args);
