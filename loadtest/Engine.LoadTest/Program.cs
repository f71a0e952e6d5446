// The simulated-player swarm arrives with the load-test work; until then the executable
// says so and exits non-zero so no script mistakes it for a run.
Console.Error.WriteLine("loadtest: no scenarios are available in this build yet.");
return 1;
