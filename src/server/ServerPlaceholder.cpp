// placeholder until the streaming server lands
namespace Nats { int stanServerPlaceholder() { return 0; } }
