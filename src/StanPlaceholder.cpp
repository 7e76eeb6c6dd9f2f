// placeholder until the streaming client lands
namespace Nats { int stanPlaceholder() { return 0; } }
